extension ConsoleRuntime {
    public struct Options: Sendable {
        public var identity: String
        public var theme: String
        public var themeDirectories: [String]
        public var monochrome: Bool
        public var ascii: Bool
        public var traffic: Bool
        public var trafficRate: Double
        public var logPath: String
        /// The engine runs here and is served to the data directory's other terminals too.
        public var serving: Bool
        /// Something to show in the status line as the console opens (a service that could not start).
        public var warning: String?

        public init(identity: String, theme: String, themeDirectories: [String], monochrome: Bool, ascii: Bool,
                    traffic: Bool = true, trafficRate: Double = 4, logPath: String, serving: Bool = false, warning: String? = nil) {
            self.identity = identity
            self.theme = theme
            self.themeDirectories = themeDirectories
            self.monochrome = monochrome
            self.ascii = ascii
            self.traffic = traffic
            self.trafficRate = trafficRate
            self.logPath = logPath
            self.serving = serving
            self.warning = warning
        }
    }
}
