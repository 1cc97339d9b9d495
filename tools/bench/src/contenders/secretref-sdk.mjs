// Cold-start contender: secretref's resolveAll of the fixture on the sdk transport (the SDK v3
// clients), as auto picks it where the environment has a profile or a CA bundle. Plain node.
import { awsProviders, createResolver } from 'secretref';
import { refs } from './refs.mjs';

const resolver = createResolver({ providers: awsProviders({ transport: 'sdk' }) });
const count = Object.keys(await resolver.resolveAll(refs)).length;
console.log(JSON.stringify({ ms: performance.now(), count }));
