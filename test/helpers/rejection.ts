// Awaits a promise that must reject with a RingError, and returns that error for assertions.
import { expect } from 'chai';
import { RingError } from '../../engine/errors/index.js';

export async function rejection(p: Promise<unknown>): Promise<RingError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RingError);
    return e as RingError;
  }
  throw new Error('expected a rejection');
}
