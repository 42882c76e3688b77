import { describe, expect, it } from "vitest";
import { describeSpawnError } from "../src/run/spawn-error.js";

describe("describeSpawnError", () => {
  it('ENOENT is "not found"; EACCES "not executable"', () => {
    expect(describeSpawnError("ENOENT")).toEqual({
      code: "COMMAND_NOT_FOUND",
      message: "command not found",
      retryable: false,
    });
    expect(describeSpawnError("EACCES")).toEqual({
      code: "COMMAND_NOT_EXECUTABLE",
      message: "command is not executable",
      retryable: false,
    });
  });

  it("any other errno is named in the message, never folded into EACCES", () => {
    // ENOEXEC cannot be produced through Node on glibc (execvp runs the file with /bin/sh instead),
    // so it is checked here rather than end to end.
    expect(describeSpawnError("ENOEXEC")).toEqual({
      code: "COMMAND_NOT_EXECUTABLE",
      message: "command could not be executed: ENOEXEC (exec format error)",
      retryable: false,
    });
    expect(describeSpawnError("E2BIG").message).toBe(
      "command could not be executed: E2BIG (argument list too long)",
    );
    expect(describeSpawnError("EWHATEVER").message).toBe(
      "command could not be executed: EWHATEVER",
    );
  });

  it("a system short of processes or files is retryable", () => {
    expect(describeSpawnError("EAGAIN")).toMatchObject({
      code: "COMMAND_NOT_EXECUTABLE",
      retryable: true,
      message: expect.stringMatching(/^command could not be started: EAGAIN/),
    });
    expect(describeSpawnError("EMFILE").retryable).toBe(true);
  });
});
