import { InitialSchema1732500000000 } from './1732500000000-initial-schema';
import { EasemobApps1732500000001 } from './1732500000001-easemob-apps';

/** Every migration, oldest first; the API and `opctl migrate` apply the pending ones. */
export const MIGRATIONS = [InitialSchema1732500000000, EasemobApps1732500000001];
