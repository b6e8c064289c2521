/**
 * HTTP edges shared by every resource: strict JSON, request size limits, the field rules more than one request shares
 * ({@link dev.orderly.api.web.CurrencyCode}), and problem details for every error.
 */
@NullMarked
package dev.orderly.api.web;

import org.jspecify.annotations.NullMarked;
