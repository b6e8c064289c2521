package dev.orderly.worker.shipping.carrier;

import java.time.LocalDate;

/** A booked parcel: the carrier's ids and when it should arrive. Invariant: every field is present. */
public record Booking(String shipmentId, String carrier, String trackingNumber, LocalDate estimatedDelivery) {}
