import { InitialSchema1732500000000 } from './1732500000000-initial-schema';
import { EasemobApps1732500000001 } from './1732500000001-easemob-apps';
import { ChatRouting1732500000002 } from './1732500000002-chat-routing';
import { SearchMarksAudit1732500000003 } from './1732500000003-search-marks-audit';
import { ChatMessageDays1732500000004 } from './1732500000004-chat-message-days';
import { SearchIndex1732500000005 } from './1732500000005-search-index';
import { CallbackIdsPanelClients1732500000012 } from './1732500000012-callback-ids-panel-clients';
import { EasemobReconcile1732500000013 } from './1732500000013-easemob-reconcile';
import { Retention1732500000016 } from './1732500000016-retention';
import { ErasedMessages1732500000017 } from './1732500000017-erased-messages';
import { ChatsByCreation1732500000020 } from './1732500000020-chats-by-creation';
import { JobLeases1732500000021 } from './1732500000021-job-leases';
import { ChatsOperatorCustomer1732500000022 } from './1732500000022-chats-operator-customer';
import { ReplicaHeartbeats1732500000023 } from './1732500000023-replica-heartbeats';
import { AuditByAction1732500000040 } from './1732500000040-audit-by-action';
import { MessageSequence1732500000041 } from './1732500000041-message-sequence';
import { SearchUpkeep1732500000042 } from './1732500000042-search-upkeep';
import { MessagesBySecond1732500000043 } from './1732500000043-messages-by-second';

/** Every migration, oldest first; the API and `opctl migrate` apply the pending ones. */
export const MIGRATIONS = [
  InitialSchema1732500000000,
  EasemobApps1732500000001,
  ChatRouting1732500000002,
  SearchMarksAudit1732500000003,
  ChatMessageDays1732500000004,
  SearchIndex1732500000005,
  CallbackIdsPanelClients1732500000012,
  EasemobReconcile1732500000013,
  Retention1732500000016,
  ErasedMessages1732500000017,
  ChatsByCreation1732500000020,
  JobLeases1732500000021,
  ChatsOperatorCustomer1732500000022,
  ReplicaHeartbeats1732500000023,
  AuditByAction1732500000040,
  MessageSequence1732500000041,
  SearchUpkeep1732500000042,
  MessagesBySecond1732500000043,
];
