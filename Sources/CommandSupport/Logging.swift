import Foundation
import Logging

/// Executables call this once; libraries only ever receive a `Logger`.
public enum LoggingBootstrap {
    public static func bootstrap(tool: String, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StandardErrorLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: tool)
    }
}

/// `tool: level: message key=value …` on stderr, one line per message.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "\(label): \(event.level): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            line += " \(key)=\(merged[key]!)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
