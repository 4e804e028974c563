package hbackup.sandbox;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.minikdc.MiniKdc;
import org.apache.kerby.kerberos.kerb.client.KrbClient;

/**
 * A Kerberos KDC from Hadoop's own MiniKdc, for the sandbox's Kerberized site: one realm, and the
 * principals asked for, each set in a keytab of its own; and ticket caches, as kinit fills them, for
 * principals of those keytabs (a host without kinit can still test a ticket cache).
 * Usage: Kdc <workdir> <ready file> <keytab>=<principal>[,<principal>...] ... [ccache:<file>=<principal>] ...
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
    Map<String, File> keytabOf = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      String left = args[i].substring(0, eq);
      String right = args[i].substring(eq + 1);
      if (left.startsWith("ccache:")) {
        File keytab = keytabOf.get(right);
        if (keytab == null) throw new IllegalArgumentException("no keytab holds " + right);
        KrbClient client = new KrbClient(kdc.getKrb5conf().getParentFile());
        client.setKdcHost(kdc.getHost());
        client.setKdcTcpPort(kdc.getPort());
        client.setAllowUdp(false);
        client.init();
        client.storeTicket(client.requestTgt(right + "@" + kdc.getRealm(), keytab), new File(left.substring(7)));
        continue;
      }
      File keytab = new File(left);
      String[] principals = right.split(",");
      kdc.createPrincipal(keytab, principals);
      for (String p : principals) keytabOf.put(p, keytab);
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
