"""Formula language: whitelist parser, domains, vectorised evaluator, optional sympy bridge."""
