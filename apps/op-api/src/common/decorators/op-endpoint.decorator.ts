import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { opEndpoint, type OpEndpointName } from '@op/contracts';
import { RawResponse } from './raw-response.decorator';

/**
 * Routes a handler to an endpoint of the contracts' registry: `POST /op/v2/<name>`, answered
 * 200 (errors carry their own status), and raw (not the envelope) when success is a file.
 * Use on a `@Controller()` without a prefix; the path comes from the registry alone.
 */
export function OpEndpoint(name: OpEndpointName): MethodDecorator {
  const endpoint = opEndpoint(name);
  return applyDecorators(Post(endpoint.path), HttpCode(200), ...(endpoint.file ? [RawResponse()] : []));
}
