# The sandbox runs the hbase-shell 2.4 scripts (the newest Maven Central serves here) on the
# HBase 2.6 client. 2.6 removed HTrace, which the 2.4 `trace` command loads at start-up; this
# file takes its place so the other commands load. Tracing is not used by hbackup.
module Shell
  module Commands
    class Trace < Command
      def help
        'trace is not available in the sandbox shell (HTrace was removed in HBase 2.5).'
      end

      def command(*_args)
        raise ArgumentError, 'trace is not available in the sandbox shell'
      end
    end
  end
end
