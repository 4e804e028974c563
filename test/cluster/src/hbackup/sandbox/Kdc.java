package hbackup.sandbox;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Properties;
import org.apache.hadoop.minikdc.MiniKdc;

/**
 * A Kerberos KDC from Hadoop's own MiniKdc, for the sandbox's Kerberized site: one realm, and the
 * principals asked for, each set in a keytab of its own.
 * Usage: Kdc <workdir> <ready file> <keytab>=<principal>[,<principal>...] ...
 * Writes the ready file, as JSON, with the realm, the port and the krb5.conf it wrote; runs until killed.
 */
public final class Kdc {
  private Kdc() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: Kdc <workdir> <ready file> <keytab>=<principal>[,<principal>...] ...");
      System.exit(2);
    }
    File work = new File(args[0]);
    work.mkdirs();
    Properties conf = MiniKdc.createConf();
    MiniKdc kdc = new MiniKdc(conf, work);
    kdc.start();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      kdc.createPrincipal(new File(args[i].substring(0, eq)), args[i].substring(eq + 1).split(","));
    }
    String ready = String.format(
        "{\"realm\":\"%s\",\"port\":%d,\"krb5conf\":\"%s\"}%n",
        kdc.getRealm(),
        kdc.getPort(),
        kdc.getKrb5conf().getAbsolutePath());
    Files.write(new File(args[1]).toPath(), ready.getBytes(StandardCharsets.UTF_8));
    while (true) {
      Thread.sleep(60_000);
    }
  }
}
