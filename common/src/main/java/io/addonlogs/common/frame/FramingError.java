package io.addonlogs.common.frame;

/**
 * Why octet-counted framing broke, and where: {@code offset} is the byte offset in the body (0-based) at which the
 * decoder could not go on. Nothing after it is read.
 */
public record FramingError(long offset, String reason) {
}
