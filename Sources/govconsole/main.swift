import ArgumentParser
import GovernanceEngine
print("hi")
