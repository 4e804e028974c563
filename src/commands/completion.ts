/**
 * Shell completion, made from the command line's own declaration: commands (and `policy new`) and
 * the options of each, then file names. zsh uses the same script through bashcompinit.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

const flags = (cmd: Command) => cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));

export function completionScript(program: Command, shell: string): string {
  if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`completion ${shell}: say bash or zsh`);
  const global = [...flags(program), '--help'].join(' ');
  const cases = program.commands
    .map((c) => {
      const subs = c.commands.map((s) => s.name());
      const own = [...flags(c), ...c.commands.flatMap(flags), '--help'];
      return `    ${c.name()}) words="${[...subs, ...own].join(' ')}" ;;`;
    })
    .join('\n');
  const bash = `# hbackup completion (${shell}): eval "$(hbackup completion ${shell})"
_hbackup() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" command="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --clusters|--log-file) ((i++)) ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$command" in
    "") words="${program.commands.map((c) => c.name()).join(' ')} ${global}" ;;
${cases}
  esac
  if [[ -z "$command" || "$cur" == -* || "$command" == completion || "$command" == policy ]]; then
    COMPREPLY=($(compgen -W "$words ${global}" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _hbackup hbackup
`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}
