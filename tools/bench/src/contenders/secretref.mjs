// Cold-start contender: secretref's resolveAll of the fixture, on the transport `auto` picks (fetch, in
// this environment: keys and a region, as Lambda has them). Plain node, from process start.
import { awsTransportChoice, resolveAll } from 'secretref';
import { refs } from './refs.mjs';

const count = Object.keys(await resolveAll(refs)).length;
// performance.now() counts from the process's start: Node's own start-up, every import and the calls.
const ms = performance.now();
// The label says fetch: a run that sent by anything else is no run of this contender.
const { direct, reason } = awsTransportChoice();
if (direct !== 'fetch') throw new Error(`auto picked ${direct} here (${reason})`);
console.log(JSON.stringify({ ms, count }));
