// The error family's public face.
export * from './codes.js';
export * from './ring-error.js';
