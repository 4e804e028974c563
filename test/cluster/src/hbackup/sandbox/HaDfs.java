package hbackup.sandbox;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSNNTopology;

/**
 * An HDFS with an HA pair of NameNodes (nn1 active, nn2 standby, fixed RPC and HTTP ports) and one
 * DataNode, for testing clients against a real standby and a real failover (hdfs haadmin).
 * Usage: HaDfs <basedir> <nameservice> <nn1 rpc> <nn1 http> <nn2 rpc> <nn2 http> <ready file>
 * Runs until killed.
 */
public final class HaDfs {
  private HaDfs() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: HaDfs <basedir> <nameservice> <nn1 rpc> <nn1 http> <nn2 rpc> <nn2 http> <ready file>");
      System.exit(2);
    }
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, args[0]);
    conf.setInt("dfs.replication", 1);
    conf.setBoolean("dfs.namenode.acls.enabled", true);
    String ns = args[1];
    MiniDFSNNTopology topology = new MiniDFSNNTopology()
        .addNameservice(new MiniDFSNNTopology.NSConf(ns)
            .addNN(new MiniDFSNNTopology.NNConf("nn1").setIpcPort(Integer.parseInt(args[2])).setHttpPort(Integer.parseInt(args[3])))
            .addNN(new MiniDFSNNTopology.NNConf("nn2").setIpcPort(Integer.parseInt(args[4])).setHttpPort(Integer.parseInt(args[5]))));
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).nnTopology(topology).numDataNodes(1).build();
    cluster.waitActive();
    cluster.transitionToActive(0);
    Files.write(new File(args[6]).toPath(), "ready\n".getBytes(StandardCharsets.UTF_8));
    while (true) {
      Thread.sleep(60_000);
    }
  }
}
