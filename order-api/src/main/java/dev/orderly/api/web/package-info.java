/** HTTP edges shared by every resource: strict JSON, request size limits, and problem details for every error. */
@NullMarked
package dev.orderly.api.web;

import org.jspecify.annotations.NullMarked;
