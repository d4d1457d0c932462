import Benchmarks
import CommandSupport

@main
struct Entrypoint {
    static func main() {
        CommandRunner.main(BenchCommand.self)
    }
}
