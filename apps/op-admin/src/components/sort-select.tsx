'use client';
// The order of the search results: a select in a small GET form that carries the other filters.
// Picking an order reloads the results at once; without JavaScript its button does.
import { useEffect, useRef } from 'react';

/** Set for the load a change of order starts, so that the select has the focus again after it. */
const REFOCUS_KEY = 'op-sort-refocus';

export function SortSelect({ options, value }: { options: ReadonlyArray<{ value: string; label: string }>; value: string }) {
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    // An arrow key on the select reloads the page: focus fell to the page, and a second arrow did nothing.
    if (sessionStorage.getItem(REFOCUS_KEY) === null) return;
    sessionStorage.removeItem(REFOCUS_KEY);
    select.current?.focus();
  }, []);
  return (
    <>
      <label className="sort">
        <span aria-hidden="true">排序</span>
        <select
          ref={select}
          name="sort"
          aria-label="排序"
          defaultValue={value}
          onChange={(event) => {
            sessionStorage.setItem(REFOCUS_KEY, '1');
            event.currentTarget.form?.requestSubmit();
          }}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <noscript>
        <button type="submit">排序</button>
      </noscript>
    </>
  );
}
