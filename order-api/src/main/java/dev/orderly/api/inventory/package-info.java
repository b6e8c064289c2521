/**
 * Stock and prices per SKU: {@code GET/PUT /inventory/{sku}} to read and set what order-worker reserves from and what
 * {@code POST /orders} prices lines at ({@link dev.orderly.api.inventory.Catalogue}).
 */
@NullMarked
package dev.orderly.api.inventory;

import org.jspecify.annotations.NullMarked;
