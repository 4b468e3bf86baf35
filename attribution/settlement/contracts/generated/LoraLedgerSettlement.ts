// generated, do not edit: `npm run build:contracts` writes this from LoraLedgerSettlement.sol
// (solc 0.8.30+commit.73712a01.Emscripten.clang, {"optimizer":{"enabled":true,"runs":200},"evmVersion":"cancun"})

export const LoraLedgerSettlementAbi = [
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "poster_",
        "type": "address"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [],
    "name": "EmptyRecordsRoot",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "expected",
        "type": "uint64"
      },
      {
        "internalType": "uint64",
        "name": "got",
        "type": "uint64"
      }
    ],
    "name": "EpochOutOfOrder",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "InvalidProof",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NotOwner",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NotPoster",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "NothingToClaim",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "Reentrancy",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "TransferFailed",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "expected",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "sent",
        "type": "uint256"
      }
    ],
    "name": "WrongFunding",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ZeroAddress",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "paid",
        "type": "uint256"
      }
    ],
    "name": "Claimed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "recordsRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "payoutRoot",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "name": "EpochPosted",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousOwner",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "OwnerChanged",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousPoster",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "PosterChanged",
    "type": "event"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "internalType": "bytes32[]",
        "name": "proof",
        "type": "bytes32[]"
      }
    ],
    "name": "claim",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "cumulativeAmount",
        "type": "uint256"
      },
      {
        "internalType": "bytes32[]",
        "name": "proof",
        "type": "bytes32[]"
      }
    ],
    "name": "claimable",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "name": "claimed",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "latestEpoch",
    "outputs": [
      {
        "internalType": "uint64",
        "name": "",
        "type": "uint64"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "owner",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "payoutRoot",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      }
    ],
    "name": "payoutRootOf",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "recordsRoot_",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "payoutRoot_",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "total",
        "type": "uint256"
      }
    ],
    "name": "postEpoch",
    "outputs": [],
    "stateMutability": "payable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "poster",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "epoch",
        "type": "uint64"
      }
    ],
    "name": "recordsRoot",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "setOwner",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newPoster",
        "type": "address"
      }
    ],
    "name": "setPoster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;

export const LoraLedgerSettlementBytecode = '0x608060405234801561000f575f5ffd5b50604051610b22380380610b2283398101604081905261002e916100e4565b6001600160a01b0381166100555760405163d92e233d60e01b815260040160405180910390fd5b5f8054336001600160a01b031991821681178355600180549092166001600160a01b038516179091556040519091907fb532073b38c83145e3e5135377a08bf9aab55bc0fd7c1179cd4fb995d2a5159c908290a36040516001600160a01b038216905f907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f908290a350610111565b5f602082840312156100f4575f5ffd5b81516001600160a01b038116811461010a575f5ffd5b9392505050565b610a048061011e5f395ff3fe6080604052600436106100a5575f3560e01c80638da5cb5b116100625780638da5cb5b146101995780639cb118bf146101b7578063b7667cf4146101f5578063c884ef8314610229578063e8e2473414610254578063fb34645814610273575f5ffd5b806313af4035146100a95780633d13f874146100ca57806345abe980146100e95780636afa51c5146100fc57806373bbb71c146101435780638095972114610162575b5f5ffd5b3480156100b4575f5ffd5b506100c86100c336600461086b565b610288565b005b3480156100d5575f5ffd5b506100c86100e436600461088b565b610332565b6100c86100f7366004610925565b6104b3565b348015610107575f5ffd5b5061013061011636600461095b565b6001600160401b03165f9081526004602052604090205490565b6040519081526020015b60405180910390f35b34801561014e575f5ffd5b506100c861015d36600461086b565b610645565b34801561016d575f5ffd5b50600154610181906001600160a01b031681565b6040516001600160a01b03909116815260200161013a565b3480156101a4575f5ffd5b505f54610181906001600160a01b031681565b3480156101c2575f5ffd5b506001546101dd90600160a01b90046001600160401b031681565b6040516001600160401b03909116815260200161013a565b348015610200575f5ffd5b5061013061020f36600461095b565b6001600160401b03165f9081526003602052604090205490565b348015610234575f5ffd5b5061013061024336600461086b565b60056020525f908152604090205481565b34801561025f575f5ffd5b5061013061026e36600461088b565b6106f1565b34801561027e575f5ffd5b5061013060025481565b5f546001600160a01b031633146102b2576040516330cd747160e01b815260040160405180910390fd5b6001600160a01b0381166102d95760405163d92e233d60e01b815260040160405180910390fd5b5f80546040516001600160a01b03808516939216917fb532073b38c83145e3e5135377a08bf9aab55bc0fd7c1179cd4fb995d2a5159c91a35f80546001600160a01b0319166001600160a01b0392909216919091179055565b60065460ff16156103565760405163558a1e0360e11b815260040160405180910390fd5b6006805460ff1916600117905560025461037d9083908390610378888861074a565b6107a4565b61039a576040516309bde33960e01b815260040160405180910390fd5b6001600160a01b0384165f908152600560205260409020548084116103d2576040516312d37ee560e31b815260040160405180910390fd5b5f6103dd8286610988565b6001600160a01b0387165f81815260056020526040808220899055519293509183908381818185875af1925050503d805f8114610435576040519150601f19603f3d011682016040523d82523d5f602084013e61043a565b606091505b505090508061045c576040516312171d8360e31b815260040160405180910390fd5b60408051878152602081018490526001600160a01b038916917f987d620f307ff6b94d58743cb7a7509f24071586a77759b77c2d4e29f75a2f9a910160405180910390a250506006805460ff191690555050505050565b6001546001600160a01b031633146104de57604051630edd024760e11b815260040160405180910390fd5b600160149054906101000a90046001600160401b03166001610500919061099b565b6001600160401b0316846001600160401b03161461056c57600160149054906101000a90046001600160401b0316600161053a919061099b565b604051632abeb08d60e21b81526001600160401b03918216600482015290851660248201526044015b60405180910390fd5b8261058a57604051636cbee87960e01b815260040160405180910390fd5b8034146105b3576040516346da3a2760e01b815260048101829052346024820152604401610563565b6001805467ffffffffffffffff60a01b1916600160a01b6001600160401b038716908102919091179091555f8181526003602090815260408083208790556004825291829020859055600285905581518681529081018590529081018390527fd20955c77c40bde48f62e7ca25f52b4f326eb23b8bdca87d87f3bb54984b99809060600160405180910390a250505050565b5f546001600160a01b0316331461066f576040516330cd747160e01b815260040160405180910390fd5b6001600160a01b0381166106965760405163d92e233d60e01b815260040160405180910390fd5b6001546040516001600160a01b038084169216907f32487a31d5a41d672510a2a1aa50e214e52d5d25fd9a9e94dfa66f4349f8840f905f90a3600180546001600160a01b0319166001600160a01b0392909216919091179055565b5f6107048383600254610378898961074a565b61070f57505f610742565b6001600160a01b0385165f90815260056020526040902054808511610734575f61073e565b61073e8186610988565b9150505b949350505050565b604080516001600160a01b03841660208201529081018290525f9060600160408051601f19818403018152828252805160209182012090830152016040516020818303038152906040528051906020012090505b92915050565b5f826107b157505f610742565b815f5b85811015610844575f8787838181106107cf576107cf6109ba565b90506020020135905080831061080e57604080516020810183905290810184905260600160405160208183030381529060405280519060200120610839565b6040805160208101859052908101829052606001604051602081830303815290604052805190602001205b9250506001016107b4565b50909214949350505050565b80356001600160a01b0381168114610866575f5ffd5b919050565b5f6020828403121561087b575f5ffd5b61088482610850565b9392505050565b5f5f5f5f6060858703121561089e575f5ffd5b6108a785610850565b93506020850135925060408501356001600160401b038111156108c8575f5ffd5b8501601f810187136108d8575f5ffd5b80356001600160401b038111156108ed575f5ffd5b8760208260051b8401011115610901575f5ffd5b949793965060200194505050565b80356001600160401b0381168114610866575f5ffd5b5f5f5f5f60808587031215610938575f5ffd5b6109418561090f565b966020860135965060408601359560600135945092505050565b5f6020828403121561096b575f5ffd5b6108848261090f565b634e487b7160e01b5f52601160045260245ffd5b8181038181111561079e5761079e610974565b6001600160401b03818116838216019081111561079e5761079e610974565b634e487b7160e01b5f52603260045260245ffdfea26469706673582212203475a2ae03ce084ec716446ccdc400ead81ce7749f193fbde2024000efaade8e64736f6c634300081e0033' as const;
