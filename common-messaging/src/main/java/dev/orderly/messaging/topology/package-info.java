/** The broker objects every Orderly service agrees on, declared from code with identical arguments everywhere. */
@NullMarked
package dev.orderly.messaging.topology;

import org.jspecify.annotations.NullMarked;
