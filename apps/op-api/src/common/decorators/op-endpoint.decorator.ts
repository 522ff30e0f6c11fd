import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { opEndpoint, type OpEndpointName } from '@op/contracts';
import { RawResponse } from './raw-response.decorator';

/**
 * Routes a handler to an endpoint of the contracts' registry: `POST /op/v2/<name>`, answered
 * 200 (errors carry their own status), and raw (not the envelope) when success is a file.
 * Use on a `@Controller()` without a prefix; the path comes from the registry alone.
 *
 * The handler must take the registry's request class (as its `@Body()`): the API then validates
 * what OpenAPI and OpClient say it takes. A mismatch fails when the controller class loads.
 */
export function OpEndpoint(name: OpEndpointName): MethodDecorator {
  const endpoint = opEndpoint(name);
  const route = applyDecorators(Post(endpoint.path), HttpCode(200), ...(endpoint.file ? [RawResponse()] : []));
  return (target, key, descriptor) => {
    const parameters = (Reflect.getMetadata('design:paramtypes', target, key) ?? []) as unknown[];
    if (endpoint.request && !parameters.includes(endpoint.request)) {
      throw new Error(
        `${target.constructor.name}.${String(key)} serves ${name}: it must take the registry's ${endpoint.request.name} as its body`,
      );
    }
    route(target, key, descriptor);
  };
}
