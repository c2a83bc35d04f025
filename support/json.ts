// The service's own canonical JSON (request hashes are built on it): one definition.
export { canonicalJson } from '../src/json';
