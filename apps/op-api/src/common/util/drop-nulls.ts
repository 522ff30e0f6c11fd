/** Optional request fields sent as JSON null mean "not given" (class-validator's IsOptional lets null through). */
export type WithoutNulls<T> = { [K in keyof T]: Exclude<T[K], null> };

export function dropNulls<T extends object>(value: T): WithoutNulls<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as WithoutNulls<T>;
}
