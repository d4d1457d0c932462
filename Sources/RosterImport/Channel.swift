import Foundation

/// A bounded queue between one producer thread and one consumer, so a fast reader
/// cannot run ahead of the database by more than `capacity` batches.
final class Channel<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false when the consumer has cancelled and the producer should stop.
    @discardableResult
    func send(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func receive() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head { condition.wait() }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
