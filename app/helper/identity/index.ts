// Node identity: key pair, self-signed certificate, NodeId, and the peer check.
export type { GenerateOptions, Identity, KeyAlgorithm } from './generate.ts';
export { generateIdentity } from './generate.ts';
export { NODE_ID_LENGTH, NODE_ID_PREFIX, nodeIdFromCertDer, nodeIdFromSpki, parseNodeId } from './node-id.ts';
export { derToPem, pemToDer } from './pem.ts';
export { CERT_FILE, KEY_FILE, loadIdentity, saveIdentity } from './store.ts';
export type { PeerExpectation, PeerVerdict } from './verify.ts';
export { verifyPeerChain } from './verify.ts';
