'use client';
import { useActionState, useEffect, useState } from 'react';
import { eraseCustomer, type EraseState } from '@/app/actions';
import { rememberChange } from '@/components/fresh-on-return';

/** The erasure form: the button works only once the customer id has been typed again, exactly. */
export function EraseForm({ initialCustomerId, maxLength }: { initialCustomerId: string; maxLength: number }) {
  const [state, action, pending] = useActionState<EraseState, FormData>(eraseCustomer, { error: null, done: null });
  const [customerId, setCustomerId] = useState(initialCustomerId);
  useEffect(() => {
    if (state.changedAt) rememberChange(state.changedAt);
  }, [state.changedAt]);
  // What was typed counts for the erasure it was typed for: once one is done, the field is empty
  // again and the button is not left armed for a second one nobody typed again.
  const [typed, setTyped] = useState({ value: '', for: state.changedAt });
  const confirm = typed.for === state.changedAt ? typed.value : '';
  const setConfirm = (value: string) => setTyped({ value, for: state.changedAt });
  const ready = customerId.trim() !== '' && confirm.trim() === customerId.trim();
  return (
    <form action={action} className="erase-form" data-testid="erase-form">
      <label>
        客户 ID
        <input
          name="customerId"
          value={customerId}
          onChange={(e) => setCustomerId(e.target.value)}
          autoComplete="off"
          maxLength={maxLength}
          required
        />
      </label>
      <label>
        请再次输入客户 ID 以确认删除
        <input
          name="confirm"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
          onPaste={(e) => e.preventDefault()}
          maxLength={maxLength}
          required
        />
      </label>
      {state.error ? (
        <p className="error" role="alert" data-testid="erase-error">
          {state.error}
        </p>
      ) : null}
      {state.done && state.done.chats + state.done.messages === 0 ? (
        <p className="error" role="alert" data-testid="erase-nothing">
          没有找到客户 <bdi>{state.done.customerId}</bdi> 的会话或消息：没有删除任何内容，请检查客户 ID。
        </p>
      ) : state.done ? (
        <p className="done" role="status" data-testid="erase-done">
          已删除客户 <bdi>{state.done.customerId}</bdi> 的 {state.done.chats} 个会话、{state.done.messages} 条消息、{state.done.marks}{' '}
          个标记、
          {state.done.favorites} 个收藏。
        </p>
      ) : null}
      <div>
        <button className="danger-button" type="submit" disabled={!ready || pending}>
          {pending ? '正在删除…' : '永久删除该客户的全部数据'}
        </button>
      </div>
    </form>
  );
}
