"""glassgrad.nn: modules, layers, activations, losses and initialisation (PyTorch names)."""

# fmt: off
from glassgrad.nn import functional, init  # noqa: I001 (one compact name table)
from glassgrad.nn.layers import (
    ELU, GELU, MLP, RNN, AvgPool2d, BatchNorm1d, BCELoss, BCEWithLogitsLoss, Conv2d,
    CrossEntropyLoss, Dropout, Embedding, Flatten, HuberLoss, Identity, KLDivLoss, L1Loss,
    LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, MSELoss, NLLLoss, ReLU, Sigmoid, SiLU,
    Softmax, Softplus, Tanh,
)
from glassgrad.nn.lora import LoRALinear, lora_param_count
from glassgrad.nn.module import Module, ModuleList, Parameter, Sequential

F = functional

__all__ = [
    "functional", "F", "init", "Module", "Parameter", "Sequential", "ModuleList", "Identity",
    "Linear", "MLP", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "Embedding",
    "LayerNorm", "BatchNorm1d", "RNN", "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh",
    "Softplus", "SiLU", "Softmax", "LogSoftmax", "MSELoss", "L1Loss", "HuberLoss",
    "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "LoRALinear",
    "lora_param_count",
]
# fmt: on
