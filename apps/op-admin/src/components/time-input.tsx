'use client';
import { useEffect, useRef, type FormEvent } from 'react';

/** The browser's own words for a bad value are in its language: the panel says it in Chinese. */
function explain(event: FormEvent<HTMLInputElement>) {
  const input = event.currentTarget;
  input.setCustomValidity('');
  if (input.validity.valueMissing) input.setCustomValidity('请填写时间，格式：yyyy-MM-dd HH:mm（可省略时间）');
  else if (input.validity.patternMismatch)
    input.setCustomValidity('时间格式不对，应为 yyyy-MM-dd HH:mm（可省略时间），如 2026-12-01 09:30');
}

/** A time as every page of the panel writes it (`2026-12-01 09:30`), its errors said in Chinese. */
export function TimeInput({ name, required, defaultValue }: { name: string; required: boolean; defaultValue: string }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // A form reset (the page back from the browser's cache) changes the value without an input event.
    const form = input.current?.form;
    const clear = () => input.current?.setCustomValidity('');
    form?.addEventListener('reset', clear);
    return () => form?.removeEventListener('reset', clear);
  }, []);
  return (
    <input
      ref={input}
      type="text"
      className="time"
      name={name}
      required={required}
      autoComplete="off"
      placeholder="yyyy-MM-dd HH:mm"
      pattern="\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?"
      title="格式：yyyy-MM-dd HH:mm（可省略时间）"
      defaultValue={defaultValue}
      onInvalid={explain}
      // A value corrected clears the message, so the form may be sent again.
      onInput={(event) => event.currentTarget.setCustomValidity('')}
    />
  );
}
