package hbackup.sandbox;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * One NameNode and one DataNode (fixed NameNode ports), configured as given, for sites that differ
 * from the two main ones in how they are reached: a DataNode registered under a host name of its
 * own (as in a container), HTTPS, Kerberos. The DataNode keeps the host name and addresses it is given
 * instead of MiniDFSCluster's 127.0.0.1 defaults.
 * Usage: OneDfs <basedir> <nn rpc> <nn http> <ready file> [key=value ...]
 * Writes the ready file, as JSON, with the addresses really bound; runs until killed.
 */
public final class OneDfs {
  private OneDfs() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: OneDfs <basedir> <nn rpc> <nn http> <ready file> [key=value ...]");
      System.exit(2);
    }
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, args[0]);
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      conf.set(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    // A Kerberized site: the NameNode and DataNode log in from their keytabs as they start.
    UserGroupInformation.setConfiguration(conf);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .nameNodePort(Integer.parseInt(args[1]))
        .nameNodeHttpPort(Integer.parseInt(args[2]))
        .numDataNodes(1)
        .checkDataNodeHostConfig(true)
        .checkDataNodeAddrConfig(true)
        .build();
    cluster.waitActive();
    DataNode dn = cluster.getDataNodes().get(0);
    InetSocketAddress https = cluster.getNameNode().getHttpsAddress();
    String ready = String.format(
        "{\"dataNodeHost\":\"%s\",\"dataNodeHttp\":%d,\"dataNodeHttps\":%d,\"nameNodeHttps\":%d}%n",
        dn.getDatanodeId().getHostName(),
        dn.getInfoPort(),
        dn.getInfoSecurePort(),
        https == null ? 0 : https.getPort());
    Files.write(new File(args[3]).toPath(), ready.getBytes(StandardCharsets.UTF_8));
    while (true) {
      Thread.sleep(60_000);
    }
  }
}
