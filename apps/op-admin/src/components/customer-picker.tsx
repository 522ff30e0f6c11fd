'use client';
// The customer filter: a plain text input (so the form works without JavaScript) whose
// datalist fills, as the person types, with the customers whose id starts with what they
// typed (the panel's /customers/suggest, which asks customerList).
import { useEffect, useRef, useState } from 'react';
import type { CustomerSummary } from '@op/contracts';

/** Quiet time after the last keystroke before asking, so typing an id costs one request, not one a key. */
const DEBOUNCE_MS = 250;

export function CustomerPicker({
  name,
  defaultValue,
  listId,
  maxLength,
}: {
  name: string;
  defaultValue: string;
  listId: string;
  maxLength: number;
}) {
  const [customers, setCustomers] = useState<CustomerSummary[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inflight = useRef<AbortController | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      inflight.current?.abort();
    },
    [],
  );

  function suggest(value: string) {
    if (timer.current) clearTimeout(timer.current);
    // Only the latest keystroke's answer may fill the list: an answer for a shorter prefix still
    // on its way (a slow server, a pause between keys) is dropped, and what the list holds now
    // keeps only the customers that start with what is typed.
    inflight.current?.abort();
    const prefix = value.trim();
    if (prefix === '') {
      setCustomers([]);
      return;
    }
    setCustomers((shown) => shown.filter((customer) => customer.customerId.startsWith(prefix)));
    timer.current = setTimeout(() => {
      const controller = new AbortController();
      inflight.current = controller;
      fetch(`/customers/suggest?prefix=${encodeURIComponent(prefix)}`, {
        signal: controller.signal,
        headers: { accept: 'application/json' },
      })
        .then((response) => (response.ok ? (response.json() as Promise<{ customers: CustomerSummary[] }>) : { customers: [] }))
        .then((data) => {
          if (!controller.signal.aborted) setCustomers(data.customers);
        })
        .catch(() => undefined); // aborted or offline: the field stays a plain input
    }, DEBOUNCE_MS);
  }

  return (
    <>
      <input
        name={name}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        maxLength={maxLength}
        defaultValue={defaultValue}
        onInput={(event) => suggest(event.currentTarget.value)}
        data-testid="customer-filter"
      />
      <datalist id={listId} data-testid="customer-options" data-count={customers.length}>
        {customers.map((c) => (
          <option key={c.customerId} value={c.customerId}>
            {`${c.chats} 个会话 · 最后消息 ${c.lastMessageTime ?? '无'}`}
          </option>
        ))}
      </datalist>
    </>
  );
}
