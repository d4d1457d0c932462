import ArgumentParser
import Foundation

/// The exit codes every tool documents and keeps stable.
public enum ExitStatus: Int32, Sendable {
    case done = 0
    case failure = 1
    case usage = 2
    case inputRejected = 3
    case lockHeld = 4
}

/// An error that knows how the run should end. Library errors get this conformance in
/// the command layer, which is where exit codes mean something.
public protocol ExitStatusProviding: Error {
    var exitStatus: ExitStatus { get }
}

/// A refusal or failure the command itself decides on, with its message.
public struct CommandFailure: Error, LocalizedError, ExitStatusProviding {
    public let exitStatus: ExitStatus
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.exitStatus = status
        self.message = message
    }

    public var errorDescription: String? { message }
}

public enum CommandRunner {
    /// Parses and runs `Root`, ending the process with a documented exit code and a
    /// one-line message on stderr: never a stack trace.
    public static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            if root.exitCode(for: error) == .success { root.exit(withError: error) }
            printError(root.fullMessage(for: error))
            exit(ExitStatus.usage.rawValue)
        }
        do {
            try command.run()
            exit(ExitStatus.done.rawValue)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch let error as ExitStatusProviding {
            printError("\(root._commandName): \(error.localizedDescription)")
            exit(error.exitStatus.rawValue)
        } catch let error as ValidationError {
            printError(root.fullMessage(for: error))
            exit(ExitStatus.usage.rawValue)
        } catch {
            if root.exitCode(for: error) == .success { root.exit(withError: error) }
            printError("\(root._commandName): \(error.localizedDescription)")
            exit(ExitStatus.failure.rawValue)
        }
    }

    public static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }
}
