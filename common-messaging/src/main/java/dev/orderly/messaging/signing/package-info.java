/**
 * Signed messages: the keys a service signs and verifies with ({@link dev.orderly.messaging.signing.SigningProperties},
 * {@link dev.orderly.messaging.signing.MessageKeys}), the producer's side ({@link
 * dev.orderly.messaging.signing.MessageSigner}, used by the outbox writer) and the consumer's ({@link
 * dev.orderly.messaging.signing.SignatureVerifier}, used by the reliable listener before it parses a body). The
 * scheme itself is the contract's: {@link dev.orderly.contracts.MessageSignature}.
 */
@NullMarked
package dev.orderly.messaging.signing;

import org.jspecify.annotations.NullMarked;
