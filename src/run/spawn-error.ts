// A command that could not be started → the envelope's error. Shells answer 127 for a missing
// command and 126 for every other failure to execute it; the errno says which failure it was,
// so it goes into the message instead of being folded into "not executable".

export interface SpawnFailure {
  code: "COMMAND_NOT_FOUND" | "COMMAND_NOT_EXECUTABLE";
  message: string;
  /** The system was short of a resource, not the command at fault: trying again may work. */
  retryable: boolean;
}

const MEANING: Record<string, string> = {
  ENOEXEC: "exec format error",
  ENOTDIR: "a component of the path is not a directory",
  E2BIG: "argument list too long",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  ETXTBSY: "text file busy: the file is open for writing",
  EISDIR: "is a directory",
  EPERM: "operation not permitted",
  EAGAIN: "resource temporarily unavailable (process limit?)",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENOMEM: "out of memory",
};
const TRANSIENT = new Set(["EAGAIN", "EMFILE", "ENFILE", "ENOMEM"]);

export function describeSpawnError(errno: string): SpawnFailure {
  if (errno === "ENOENT")
    return {
      code: "COMMAND_NOT_FOUND",
      message: "command not found",
      retryable: false,
    };
  if (errno === "EACCES")
    return {
      code: "COMMAND_NOT_EXECUTABLE",
      message: "command is not executable",
      retryable: false,
    };
  const meaning = MEANING[errno];
  const transient = TRANSIENT.has(errno);
  return {
    code: "COMMAND_NOT_EXECUTABLE",
    message: `command could not be ${transient ? "started" : "executed"}: ${errno}${meaning ? ` (${meaning})` : ""}`,
    retryable: transient,
  };
}
