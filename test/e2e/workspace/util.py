import os


def greet(name):
    return "hi " + name


class Greeter:
    def __init__(self, prefix):
        self.prefix = prefix

    def greet_all(self, names):
        return [self.prefix + greet(n) for n in names]
