'use client';
// The order of the search results: a select in a small GET form that carries the other filters.
// Picking an order reloads the results at once; without JavaScript its button does.
export function SortSelect({ options, value }: { options: ReadonlyArray<{ value: string; label: string }>; value: string }) {
  return (
    <>
      <label className="sort">
        <span aria-hidden="true">排序</span>
        <select name="sort" aria-label="排序" defaultValue={value} onChange={(event) => event.currentTarget.form?.requestSubmit()}>
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
