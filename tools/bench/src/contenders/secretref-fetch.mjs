// Cold-start contender: secretref composed for the fetch transport, as the Lambda guide ships it for
// the smallest bundle (ssmFetchProvider, secretsManagerFetchProvider: no SDK client in the bundle).
import { createResolver, secretsManagerFetchProvider, ssmFetchProvider } from 'secretref';
import { refs } from './refs.mjs';

const resolver = createResolver({ providers: [ssmFetchProvider(), secretsManagerFetchProvider()] });
const count = Object.keys(await resolver.resolveAll(refs)).length;
console.log(JSON.stringify({ ms: performance.now(), count }));
