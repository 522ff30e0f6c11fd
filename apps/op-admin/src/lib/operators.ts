import 'server-only';
// The tenant's operators, to show names where the API answers ids and to offer them in pickers.
import { cache } from 'react';
import type { OperatorSummary } from '@op/contracts';
import type { OperatorNames } from './format';
import { withOp, type Session } from './op-server';

export interface OperatorDirectory {
  /** By username, as `operatorList` orders them; an agent's holds only itself. */
  operators: OperatorSummary[];
  names: OperatorNames;
}

/**
 * One `operatorList` call per page render, however many parts of the page ask (React's
 * `cache` lasts one server request; keyed by the token, as each part reads its own session).
 * A failed call is an empty directory: ids then show as themselves, and the page still works.
 */
const load = cache(async (token: string): Promise<OperatorDirectory> => {
  const result = await withOp({ token }, (op) => op.operatorList());
  const operators = result.ok ? (result.value.data?.operators ?? []) : [];
  return { operators, names: Object.fromEntries(operators.map((o) => [o.operatorId, o.username])) };
});

export function operatorDirectory(session: Session): Promise<OperatorDirectory> {
  return load(session.token);
}
