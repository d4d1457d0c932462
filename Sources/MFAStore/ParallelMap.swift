import Foundation
import Dispatch

extension Array where Element: Sendable {
    /// `map` on every core. The transform must be safe to call concurrently; the first
    /// error thrown is rethrown once all work has stopped.
    public func parallelMap<Result: Sendable>(_ transform: @Sendable (Element) throws -> Result) throws -> [Result] {
        guard count > 1 else { return try map(transform) }
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            // Releases the results (deallocating alone would leak every one of them).
            _ = results.deinitialize()
            results.deallocate()
        }
        let failure = FirstError()
        let output = UnsafeSendable(results)
        withoutActuallyEscaping(transform) { transform in
            let transform = UnsafeSendable(transform)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                guard !failure.isSet else { return }
                do {
                    output.value[index] = try transform.value(self[index])
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw error }
        return results.map { $0! }
    }
}

/// Hands a value to concurrent code that uses it safely (disjoint indices, read-only).
public struct UnsafeSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// The first error of several concurrent tasks.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var isSet: Bool { lock.withLock { stored != nil } }
    var error: (any Error)? { lock.withLock { stored } }

    func record(_ error: any Error) {
        lock.withLock { if stored == nil { stored = error } }
    }
}

/// A value made on another thread while the caller does something else.
public final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    public init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async {
            self.result = Result { try work() }
            self.done.signal()
        }
    }

    /// The value, once made (or the error making it threw).
    public func wait() throws -> Value {
        done.wait()
        return try result!.get()
    }
}
