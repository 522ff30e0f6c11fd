import { SetMetadata } from '@nestjs/common';

export const SKIP_SIGNATURE_KEY = 'op:skip-signature';
/** The route is outside the `/op/v2` signature scheme (callbacks, health checks). */
export const SkipSignature = () => SetMetadata(SKIP_SIGNATURE_KEY, true);

export const SKIP_TOKEN_KEY = 'op:skip-token';
/** The route is signed by a client but needs no operator token (sign-in). */
export const SkipToken = () => SetMetadata(SKIP_TOKEN_KEY, true);
