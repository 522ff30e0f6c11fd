import type { Int } from './envelope';
import type { OperatorSummary } from './operator-login.request';

/** `operatorList`: the tenant's operators by username (an agent gets only itself). */
export interface OperatorListData {
  operators: OperatorSummary[];
}

/** One customer of the tenant's chats, as the caller may see them. */
export interface CustomerSummary {
  customerId: string;
  /** How many of the customer's chats the caller may read. */
  chats: Int;
  /** The latest `lastMessageTime` of those chats, or null when none has a message. */
  lastMessageTime: string | null;
}

/** `customerList`: customers by id, in id order. */
export interface CustomerListData {
  customers: CustomerSummary[];
}
