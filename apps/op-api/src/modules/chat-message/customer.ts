/**
 * The customer of a message, the same for live callbacks and imports: for a group message the
 * group; otherwise the party that is not one of the tenant's staff (operators and service
 * accounts); when both are staff, the receiver, so nothing is lost.
 */
export function customerOf(
  message: { form: string | null; to: string | null; groupId?: string | null },
  staff: ReadonlyMap<string, unknown>,
): string | null {
  if (message.groupId) return message.groupId;
  if (message.form !== null && !staff.has(message.form)) return message.form;
  return message.to ?? message.form;
}
