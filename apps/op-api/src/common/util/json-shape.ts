/**
 * Limits on the shape of parsed JSON. JSON.parse takes any depth, but JSON.stringify (and so
 * every response and every stored `ext`) overflows the stack a few thousand levels down, and
 * class-transformer copies keys such as `__proto__` with plain assignment. Both walks here
 * use an explicit stack, so a hostile depth cannot overflow them either.
 */

import { isRawJson } from '@op/contracts';

/** Levels a signed request body may have; every request of the contract needs two or three. */
export const MAX_BODY_DEPTH = 32;
/** Levels kept of a stored extension map (`ext` is level 1). */
export const MAX_EXT_DEPTH = 32;
/** Keys that would reach an object's prototype if a library assigned them. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** An object or array (an exact integer, see exact-json, is a value). */
const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null && !isRawJson(value);

export type BodyHazard = { kind: 'depth'; field: string } | { kind: 'key'; key: string } | { kind: 'text'; field: string };

/**
 * Half of a UTF-16 surrogate pair without its other half (JSON's `"\ud800"`): no UTF-8 can
 * hold it, so a database would store U+FFFD in its place, and two different inputs the same.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first reason to refuse a request body: a container deeper than `maxDepth` (the body is
 * level 1), named by its top-level field; a prototype key anywhere; or a string (key or value)
 * holding a lone surrogate, named by its top-level field. Null when there is none.
 */
export function findBodyHazard(body: unknown, maxDepth = MAX_BODY_DEPTH): BodyHazard | null {
  const stack: Array<{ value: unknown; depth: number; field: string }> = [{ value: body, depth: 1, field: '' }];
  while (stack.length > 0) {
    const { value, depth, field } = stack.pop()!;
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) return { kind: 'text', field: field || '请求体' };
    if (!isContainer(value)) continue;
    if (depth > maxDepth) return { kind: 'depth', field: field || '请求体' };
    for (const key of Object.keys(value)) {
      if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) return { kind: 'key', key };
      if (LONE_SURROGATE.test(key)) return { kind: 'text', field: field || '请求体' };
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, field: field || key });
    }
  }
  return null;
}

export interface CutMap {
  value: Record<string, unknown>;
  /** Where containers at or past the depth limit were replaced by null (at most 10 listed). */
  cutPaths: string[];
}

/**
 * A copy of an extension map in which every container at level `maxDepth` or deeper (the map
 * is level 1) is replaced by null; every key is kept as data, `__proto__` included (own
 * properties defined, never assigned).
 */
export function cutDepth(map: Record<string, unknown>, maxDepth = MAX_EXT_DEPTH): CutMap {
  const cutPaths: string[] = [];
  const root: Record<string, unknown> = {};
  const stack: Array<{ from: object; to: Record<string, unknown> | unknown[]; depth: number; path: string }> = [
    { from: map, to: root, depth: 1, path: '' },
  ];
  while (stack.length > 0) {
    const { from, to, depth, path } = stack.pop()!;
    for (const key of Object.keys(from)) {
      const child = (from as Record<string, unknown>)[key];
      const childPath = Array.isArray(from) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      let copy: unknown = child;
      if (isContainer(child)) {
        if (depth + 1 >= maxDepth) {
          copy = null;
          if (cutPaths.length < 10) cutPaths.push(childPath);
        } else {
          copy = Array.isArray(child) ? [] : {};
          stack.push({ from: child, to: copy as Record<string, unknown> | unknown[], depth: depth + 1, path: childPath });
        }
      }
      Object.defineProperty(to, key, { value: copy, enumerable: true, writable: true, configurable: true });
    }
  }
  return { value: root, cutPaths };
}
