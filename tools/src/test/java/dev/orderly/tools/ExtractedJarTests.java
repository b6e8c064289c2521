package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractedJarTests {

    @TempDir
    Path directory;

    @Test
    void theDigestFollowsTheEntriesNotTheFilesDate() throws IOException {
        Path first = jar("first.jar", "Application.class", "compiled once");
        Path same = jar("same.jar", "Application.class", "compiled once");
        Files.setLastModifiedTime(same, FileTime.fromMillis(0));

        assertThat(ExtractedJar.digest(same))
                .isEqualTo(ExtractedJar.digest(first))
                .hasSize(16);
    }

    @Test
    void aRebuiltJarWithOneChangedClassGetsAnotherDigest() throws IOException {
        Path before = jar("before.jar", "Application.class", "compiled once");
        Path after = jar("after.jar", "Application.class", "compiled twice");

        assertThat(ExtractedJar.digest(after)).isNotEqualTo(ExtractedJar.digest(before));
    }

    private Path jar(String name, String entry, String content) throws IOException {
        Path jar = directory.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            ZipEntry zipEntry = new ZipEntry(entry);
            zipEntry.setTime(0); // the reproducible build's fixed date: the same in both builds
            zip.putNextEntry(zipEntry);
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }
}
