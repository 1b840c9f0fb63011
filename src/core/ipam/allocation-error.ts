// The error every allocator throws, carrying upstream's message text: kube-apiserver wraps these in a
// 422 Invalid (`failed to allocate IP 10.96.0.5: provided IP is already allocated`).

export type AllocationErrorKind = 'NotInRange' | 'Allocated' | 'Full' | 'Invalid';

export class AllocationError extends Error {
  constructor(readonly kind: AllocationErrorKind, message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}
