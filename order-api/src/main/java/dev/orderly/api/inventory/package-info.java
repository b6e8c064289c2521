/** Stock and prices per SKU: {@code GET/PUT /inventory/{sku}} to read and set what order-worker reserves from. */
@NullMarked
package dev.orderly.api.inventory;

import org.jspecify.annotations.NullMarked;
