#!/usr/bin/env python3
"""Writes the binary inputs of control-flow-errors.onnxtxt that the ONNX text
syntax of Debian's libonnx (1.12) cannot express (sequence types)."""

import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def if_sequence():
    # y = If(c) with both branches giving seq(float[3]).
    seq = helper.make_tensor_sequence_value_info
    then_branch = helper.make_graph(
        [helper.make_node("SequenceConstruct", ["x"], ["t"])], "then_body", [],
        [seq("t", TensorProto.FLOAT, [3])])
    else_branch = helper.make_graph(
        [helper.make_node("SequenceConstruct", ["x"], ["e"])], "else_body", [],
        [seq("e", TensorProto.FLOAT, [3])])
    node = helper.make_node("If", ["c"], ["y"], name="if_seq",
                            then_branch=then_branch, else_branch=else_branch)
    graph = helper.make_graph(
        [node], "if_sequence",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [seq("y", TensorProto.FLOAT, [3])])
    return helper.make_model(graph, ir_version=8,
                             opset_imports=[helper.make_opsetid("", 13)])


if __name__ == "__main__":
    for name, model in [("if-sequence.onnx", if_sequence())]:
        onnx.checker.check_model(model)
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(model.SerializeToString())
