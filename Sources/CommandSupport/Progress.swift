import Foundation

/// A progress bar with rate and ETA on stderr, for a person at a terminal.
/// Redraws at most ten times a second, so it costs nothing in a hot loop.
public final class ProgressBar {
    private let label: String
    private var total: Int?
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var nextDraw: UInt64 = 0
    private(set) var completed = 0

    public init(label: String, total: Int?, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    public func advance(by count: Int = 1) {
        completed += count
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now >= nextDraw else { return }
        nextDraw = now + 100_000_000
        draw(now: now)
    }

    /// Sets the absolute position (and the total, when it becomes known).
    public func update(completed: Int, total: Int? = nil) {
        if let total { self.total = total }
        advance(by: completed - self.completed)
    }

    /// Clears the bar so the summary starts on a clean line.
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private func draw(now: UInt64) {
        let seconds = max(Double(now - start) / 1e9, 0.001)
        let rate = Double(completed) / seconds
        var line = "\r\u{1B}[2K\(label) "
        if let total, total > 0 {
            let fraction = min(Double(completed) / Double(total), 1)
            let width = 30
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(Int(fraction * 100))% \(completed)/\(total) \(Int(rate))/s"
            if rate > 0 {
                let remaining = Int(Double(total - completed) / rate)
                line += " ETA \(remaining / 60):" + String(format: "%02d", remaining % 60)
            }
        } else {
            line += "\(completed) \(Int(rate))/s"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
