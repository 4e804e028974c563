package hbackup.sandbox;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.crypto.key.kms.server.MiniKMS;

/**
 * A key management server from Hadoop's own MiniKMS, for the sandbox's site with encryption zones:
 * keys in a Java keystore under the work directory, simple authentication, no key ACLs.
 * Usage: Kms <workdir> <ready file> <port>
 * Writes the ready file, as JSON, with the server's URL; runs until killed.
 */
public final class Kms {
  private Kms() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Kms <workdir> <ready file> <port>");
      System.exit(2);
    }
    File work = new File(args[0]);
    work.mkdirs();
    MiniKMS kms = new MiniKMS.Builder().setKmsConfDir(work).setPort(Integer.parseInt(args[2])).build();
    kms.start();
    String ready = String.format("{\"url\":\"%s\"}%n", kms.getKMSUrl());
    Files.write(new File(args[1]).toPath(), ready.getBytes(StandardCharsets.UTF_8));
    while (true) {
      Thread.sleep(60_000);
    }
  }
}
