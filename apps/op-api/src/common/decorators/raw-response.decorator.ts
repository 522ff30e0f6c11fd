import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE_KEY = 'op:raw-response';
/** The route answers in its own format (Prometheus text, OpenAPI JSON), not the envelope. */
export const RawResponse = () => SetMetadata(RAW_RESPONSE_KEY, true);
