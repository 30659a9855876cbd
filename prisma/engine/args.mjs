// Command-line arguments, as Prisma's CLI passes them to the native schema-engine binary:
//
//   schema-engine --datamodels <path> [--datamodels <path> ...] --datasource '<json>'
//                 [--enabled-preview-features a,b] [--extension-types '<json>']
//   schema-engine --datasource '{"url":"..."}' cli <can-connect-to-database|create-database|drop-database>
//   schema-engine --version | --help
//
// `--datasource` is the prisma.config.ts datasource: {"url": ..., "shadowDatabaseUrl"?: ...}.

export class UsageError extends Error {}

export function parseArgs(argv) {
  const out = {
    datamodels: [],
    datasource: {},
    previewFeatures: [],
    extensionTypes: undefined,
    cliCommand: undefined,
    version: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // Accept both `--flag value` and `--flag=value`.
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = () => {
      if (eq !== -1) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      return argv[++i];
    };
    switch (name) {
      case "--datamodels":
      case "-d":
        out.datamodels.push(value());
        break;
      case "--datasource": {
        const text = value();
        try {
          out.datasource = JSON.parse(text);
        } catch (e) {
          throw new UsageError(`--datasource is not valid JSON: ${e.message}`);
        }
        break;
      }
      case "--enabled-preview-features":
        out.previewFeatures = value().split(",").filter(Boolean);
        break;
      case "--extension-types":
        out.extensionTypes = value();
        break;
      case "--version":
      case "-V":
        out.version = true;
        break;
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "cli":
        out.cliCommand = argv[i + 1];
        if (!out.cliCommand) throw new UsageError("`cli` needs a command");
        i = argv.length; // nothing follows the sub-command
        break;
      default:
        throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return out;
}

export const HELP = `schema-engine (Node/WASM stand-in for Prisma's native schema engine)

USAGE:
    schema-engine [--datamodels <path>]... [--datasource <json>]   JSON-RPC on stdin/stdout
    schema-engine --datasource <json> cli <command>                one-off database command
    schema-engine --version

CLI COMMANDS:
    can-connect-to-database    exit 0 if the datasource url can be connected to
    create-database            create the database named in the datasource url
    drop-database              drop the database named in the datasource url
`;
